// The layering of ARCHITECTURE.md is enforced by lint: these cases prove the rule bites.
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

async function layerErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: root,
    // type information is not needed for the import rule; a virtual file has none
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false, project: null } } },
      { files: ['**/*.ts'], rules: { '@typescript-eslint/no-floating-promises': 'off' } },
    ],
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'hilrig/layers').map((m) => m.message);
}

describe('import layering (lint)', () => {
  it('fails a file in rig/engine/ that imports from protocols/', async () => {
    const errs = await layerErrors('rig/engine/bad.ts', "import { x } from '../../protocols/coap/coap-codec.js';\nexport const y = x;\n");
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /rig\/engine\/ may import rig\/engine; rig\/engine\/bad.ts imports protocols\/coap\/coap-codec.js/);
  });

  it('fails drivers/ importing the runner, and a dynamic import too', async () => {
    const errs = await layerErrors('drivers/udp/bad.ts', "import '../../rig/cli/main.js';\nexport const m = import('../../suites/coap/x.js');\n");
    assert.equal(errs.length, 2);
  });

  it("fails a protocol reaching into another protocol's handler, allows its codec", async () => {
    const bad = await layerErrors('protocols/slipmux/x.ts', "import '../coap/coap-protocol.js';\n");
    assert.equal(bad.length, 1);
    assert.match(bad[0]!, /only through its codec/);
    assert.deepEqual(await layerErrors('protocols/slipmux/x.ts', "import '../coap/coap-codec.js';\nimport '../../rig/engine/index.js';\n"), []);
  });

  it('lets rig/ (runner, CLI) and test/ import everything', async () => {
    assert.deepEqual(await layerErrors('rig/cli/x.ts', "import '../../protocols/coap/a.js';\nimport '../../drivers/udp/b.js';\nimport '../../reports/c.js';\n"), []);
    assert.deepEqual(await layerErrors('test/x.test.ts', "import '../rig/engine/index.js';\n"), []);
  });
});
