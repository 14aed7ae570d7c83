import PDFDocument from 'pdfkit';

/** Parameters of a monthly sales report. */
export interface SalesPeriod {
  month: number;
  year: number;
}

/** Raised for a report type nobody implemented: the job fails for good. */
export class UnknownReportError extends Error {
  override readonly name = 'UnknownReportError';
}

const REGIONS = ['North', 'South', 'East', 'West', 'Online'];

/** Stand-in for the sales database: repeatable figures derived from the period. */
function salesByRegion({ month, year }: SalesPeriod): { region: string; orders: number; revenue: number }[] {
  return REGIONS.map((region, index) => {
    const seed = (year * 12 + month) * (index + 7);
    const orders = 120 + (seed % 380);
    return { region, orders, revenue: orders * (40 + (seed % 25)) };
  });
}

function toPdf(build: (doc: PDFKit.PDFDocument) => void, title: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: title, Producer: 'flexq report example' } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    build(doc);
    doc.end();
  });
}

/** Builds reports as PDF documents. */
export class ReportService {
  /** Renders the report of `type` for `parameters`; resolves to the PDF's bytes. */
  async generate(type: string, parameters: SalesPeriod): Promise<Buffer> {
    if (type !== 'monthly_sales') throw new UnknownReportError(`no report type "${type}"`);
    const period = new Date(Date.UTC(parameters.year, parameters.month - 1)).toLocaleString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    const rows = salesByRegion(parameters);
    const total = rows.reduce((sum, row) => sum + row.revenue, 0);
    return toPdf((doc) => {
      doc.fontSize(20).text(`Monthly sales: ${period}`).moveDown();
      doc.fontSize(11);
      const columns = [56, 220, 340];
      const line = (cells: string[], y: number) => cells.forEach((cell, i) => doc.text(cell, columns[i], y, { width: 110 }));
      let y = doc.y;
      doc.font('Helvetica-Bold');
      line(['Region', 'Orders', 'Revenue (EUR)'], y);
      doc.font('Helvetica');
      for (const row of rows) line([row.region, String(row.orders), row.revenue.toLocaleString('en')], (y += 18));
      doc.font('Helvetica-Bold');
      line(['Total', String(rows.reduce((sum, row) => sum + row.orders, 0)), total.toLocaleString('en')], (y += 24));
    }, `Monthly sales ${period}`);
  }
}
