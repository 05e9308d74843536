import js from '@eslint/js';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'data',
      'dist',
      'web/dist',
      'coverage',
      'artifacts',
      'src/db/migrations',
      'web/src/components.d.ts',
      'web/src/auto-imports.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    ignores: ['web/**'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Audit by construction: only the unit of work and the audit module append to the chain. Every other
  // write path (a service, a job, a command, a test) records through a WorkTx: tx.record, tx.recordBatch,
  // or recordOnly for an audited read (src/workflow/unit-of-work.ts).
  {
    files: ['**/*.ts'],
    ignores: ['web/**', 'src/audit/**', 'src/workflow/unit-of-work.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/audit/audit.service.ts', '**/audit/audit.service', '**/audit/audit.repository.ts'],
              importNames: ['recordAudit', 'insertAuditRow', 'lockHead'],
              message:
                'Write audit records through the unit of work (inUnitOfWork: tx.record, tx.recordBatch; recordOnly), never directly.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'bin/*'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  // The console: Vue's recommended rules and the TypeScript rules that need no type information
  // (vue-tsc type-checks it; typed linting does not see inside .vue files).
  {
    files: ['web/**/*.ts', 'web/**/*.vue'],
    ...tseslint.configs.disableTypeChecked,
  },
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['web/**/*.ts', 'web/**/*.vue'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Prettier owns the layout of templates.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
    },
  },
  // Pages are named by their role in the folder (list.vue, detail.vue), as the layout convention says.
  { files: ['web/src/views/**/*.vue'], rules: { 'vue/multi-word-component-names': 'off' } },
);
