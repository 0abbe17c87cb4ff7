// Style sheets are bundled by Vite; to the type checker they are side-effect imports.
declare module '*.css';
