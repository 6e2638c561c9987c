// Type-aware linting: the rules that catch real bugs in a NestJS service (floating promises,
// unsafe any flows, exhaustive switches), with Prettier owning formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/*
 * Layer boundaries (docs/architecture.md). Layers below the modules never import a module: they
 * declare what they need and the composition root (src/app.module.ts, bootstrap, main, src/cli)
 * wires a module in. Tests and those composition files are exempt.
 */
const BELOW_MODULES = [
  'src/common/**/*.ts',
  'src/config/**/*.ts',
  'src/database/**/*.ts',
  'src/access/**/*.ts',
  'src/catalog/**/*.ts',
  'src/web/**/*.ts',
  'src/health/**/*.ts',
  'src/events/**/*.ts',
];
const layerBoundary = {
  files: BELOW_MODULES,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: '(^|/)modules/',
            message:
              'Layers below the modules never import a module: declare an interface or injection token here and let the module provide it (wired in src/app.module.ts).',
          },
        ],
      },
    ],
  },
};

/*
 * A module reaches another module only through that module's index.ts. Imports are relative, so
 * the way out of the own module depends on how deep the importing file sits: a file at depth d
 * below src/modules/<module>/ reaches src/modules/ with d + 1 `../`. One block per depth keeps
 * the match exact (a sibling folder inside the same module is never mistaken for a module).
 */
const MAX_MODULE_DEPTH = 6;
const moduleBoundaries = Array.from({ length: MAX_MODULE_DEPTH + 1 }, (_, depth) => ({
  files: [`src/modules/*/${'*/'.repeat(depth)}*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./){${depth + 1}}[^./][^/]*/(?!index\\.js$)`,
            message:
              "Reach another module only through its index.ts (e.g. '../account/index.js'); export from there what it offers.",
          },
          {
            regex: `^(\\.\\./){${depth + 2},}modules/[^/]+/(?!index\\.js$)`,
            message: "Reach another module only through its index.ts (e.g. '../account/index.js').",
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'eslint.config.js',
      'dist/',
      'node_modules/',
      'data/',
      'coverage/',
      'test/artifacts/',
      'bench/*.js',
      // Plain Node scripts run after a build (npm run test:workflows), like bench/.
      'scripts/*.mjs',
      // Plain Node loader hooks for child-process tests (not TypeScript, not in a tsconfig).
      'test/support/ts-loader/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // The browser UI's plain script: no type information, browser globals.
    files: ['src/web/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'module',
      parserOptions: { projectService: false, project: false, program: null },
      globals: {
        document: 'readonly',
        location: 'readonly',
        fetch: 'readonly',
        navigator: 'readonly',
        confirm: 'readonly',
        prompt: 'readonly',
        FormData: 'readonly',
      },
    },
  },
  layerBoundary,
  ...moduleBoundaries,
  prettier,
);
