export { DEMO_PASSWORD, DEMO_USERS, demoUnits, type UnitSeed } from './demo-org.js';
export { OrgErrors } from './errors.js';
export { listCategories, listOrgUnits, setCategoryRouting } from './queries.js';
export { orgRoutes } from './routes.js';
export { type Category, CategorySchema, type OrgUnit, OrgUnitSchema } from './schemas.js';
export {
  type CatalogueEntry,
  type CategoryWords,
  defaultCatalogue,
  linkCategoryDepartments,
  seedCategories,
  seedUnits,
  shippedCategoryWords,
} from './seed.js';
