export { DEMO_PASSWORD, DEMO_USERS, demoUnits, type UnitSeed } from './demo-org.js';
export { OrgErrors } from './errors.js';
export { type Category, listCategories, listOrgUnits, type OrgUnit, setCategoryRouting } from './queries.js';
export { orgRoutes } from './routes.js';
export {
  type CatalogueEntry,
  type CategoryWords,
  defaultCatalogue,
  linkCategoryDepartments,
  seedCategories,
  seedUnits,
  shippedCategoryWords,
} from './seed.js';
