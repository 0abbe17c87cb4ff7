export { authGuard, currentUser } from './guard.js';
export { hashPassword, verifyPassword } from './password.js';
export { type AuthOptions, authRoutes } from './routes.js';
export { deleteExpiredSessions, SESSION_COOKIE } from './sessions.js';
export { createUser, findUserByName, listUsers, type NewUser, type User, userColumns } from './users.js';
