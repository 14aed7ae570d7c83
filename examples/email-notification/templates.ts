/** A template's three parts; `{{ path.to.value }}` placeholders are filled from the variables. */
interface EmailTemplate {
  subject: string;
  body: string;
  html: string;
}

/** A rendered email, ready for the built-in `email` handler's payload. */
export interface RenderedEmail {
  subject: string;
  body: string;
  html: string;
}

/** Raised for a template name nobody wrote: the job fails for good. */
export class TemplateNotFoundError extends Error {
  override readonly name = 'TemplateNotFoundError';
}

const TEMPLATES: Record<string, EmailTemplate> = {
  welcome: {
    subject: 'Welcome to Flex, {{ user.name }}!',
    body: 'Hi {{ user.name }},\n\nthanks for signing up. Your welcome bonus of {{ data.welcomeBonus }} points is waiting in your account.\n\nThe Flex team\n',
    html: '<p>Hi {{ user.name }},</p><p>thanks for signing up. Your welcome bonus of <b>{{ data.welcomeBonus }}</b> points is waiting in your account.</p><p>The Flex team</p>',
  },
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function lookup(vars: Record<string, unknown>, path: string): string {
  let value: unknown = vars;
  for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return value === undefined || value === null ? '' : String(value);
}

function fill(text: string, vars: Record<string, unknown>, escape: (value: string) => string = (value) => value): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_match, path: string) => escape(lookup(vars, path)));
}

/** Renders the named template; values going into the HTML part are escaped. */
export function renderTemplate(name: string, vars: Record<string, unknown>): RenderedEmail {
  const template = TEMPLATES[name];
  if (!template) throw new TemplateNotFoundError(`no email template named "${name}"`);
  return {
    subject: fill(template.subject, vars),
    body: fill(template.body, vars),
    html: fill(template.html, vars, (value) => value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char)),
  };
}
