/** A registered user, as the user service knows them. */
export interface User {
  id: string;
  name: string;
  email: string;
}

/** Raised for an unknown user id: no retry will make them exist. */
export class UserNotFoundError extends Error {
  override readonly name = 'UserNotFoundError';
}

/** Stands in for the application's user service (a database or another service in real life). */
export class UserService {
  private readonly users: Map<string, User>;

  constructor(users: readonly User[]) {
    this.users = new Map(users.map((user) => [user.id, user]));
  }

  async getById(id: string): Promise<User> {
    const user = this.users.get(id);
    if (!user) throw new UserNotFoundError(`no user with id "${id}"`);
    return user;
  }
}
