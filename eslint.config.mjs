// Lint: the import layering of ARCHITECTURE.md as a rule (a file in rig/engine/ importing from
// protocols/ fails), no floating promises (an unawaited assertion never runs), and no reading of
// the environment below rig/.
import path from 'node:path';
import tseslint from 'typescript-eslint';

const root = path.dirname(new URL(import.meta.url).pathname);

/** Which top-level areas a file's area may import. Order matters: the first matching area wins. */
const layers = [
  { area: 'rig/engine', may: ['rig/engine'] },
  { area: 'drivers', may: ['rig/engine', 'drivers'] },
  { area: 'protocols', may: ['rig/engine', 'protocols'] },
  { area: 'reports', may: ['rig/engine', 'protocols', 'reports'] },
  { area: 'boards', may: ['rig/engine', 'protocols', 'boards'] },
  { area: 'suites', may: ['rig', 'drivers', 'protocols', 'suites', 'boards'] },
  { area: 'rig', may: ['rig', 'drivers', 'protocols', 'suites', 'reports', 'boards'] },
];

const areaOf = (rel) => layers.find((l) => rel === l.area || rel.startsWith(`${l.area}/`));
const inArea = (rel, area) => rel === area || rel.startsWith(`${area}/`);

/** protocols/X may import another protocol only through its codec (pure functions over bytes). */
function protocolRule(fromRel, toRel) {
  const [, fromProto] = fromRel.split('/');
  const [, toProto, ...rest] = toRel.split('/');
  if (toProto === fromProto) return null;
  const file = rest.join('/');
  return /(^|\/|-)codec(s)?(\/|\.|-)/.test(file) ? null : `protocols/${fromProto} may use protocols/${toProto} only through its codec files (*-codec.ts), not ${toRel}`;
}

const layerRule = {
  meta: { type: 'problem', messages: { layer: '{{msg}} (layering: see ARCHITECTURE.md, Folders)' }, schema: [] },
  create(context) {
    const file = path.relative(root, context.filename);
    const from = areaOf(file);
    if (!from) return {};
    function check(node, spec) {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.relative(root, path.resolve(path.dirname(context.filename), spec));
      if (target.startsWith('..')) return;
      const allowed = from.may.some((a) => inArea(target, a));
      if (!allowed) {
        return context.report({ node, messageId: 'layer', data: { msg: `${from.area}/ may import ${from.may.join(', ')}; ${file} imports ${target}` } });
      }
      if (from.area === 'protocols' && inArea(target, 'protocols')) {
        const msg = protocolRule(file, target);
        if (msg) context.report({ node, messageId: 'layer', data: { msg } });
      }
    }
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'results/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: root },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, hilrig: { rules: { layers: layerRule } } },
    rules: {
      'hilrig/layers': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['rig/engine/**/*.ts', 'drivers/**/*.ts', 'protocols/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'below rig/, configuration is passed in, never read from the environment' }],
    },
  },
);
