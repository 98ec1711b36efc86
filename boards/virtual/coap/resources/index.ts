// The plugtest resource set of the virtual board, in the order /.well-known/core lists them.
// Made fresh for every boot: resource state (stored bodies, ETags, observers) dies with a reboot.
import type { BlockTransfers } from '../blockwise.js';
import type { CoapServerOptions } from '../coap-server.js';
import type { BoardResource } from '../resource.js';
import { firmwareResources } from './firmware.js';
import { largeCreateResource, largePostResource, largeResource, largeUpdateResource } from './large.js';
import { multiFormatResource } from './multi-format.js';
import { observeResource } from './observe.js';
import { linkResources, locationQueryResource, longPathResource, pathResources, queryResource } from './paths.js';
import { separateResource } from './separate.js';
import { testResource } from './test.js';
import { create1Resource, validateResource } from './validate.js';
import { wellKnownCoreResource } from './well-known-core.js';

export interface ResourceDeps {
  opts: CoapServerOptions;
  blocks: BlockTransfers;
  /** the whole table, for /.well-known/core */
  links: () => readonly BoardResource[];
  bug(name: string): boolean;
}

export function plugtestResources(d: ResourceDeps): BoardResource[] {
  return [
    wellKnownCoreResource(d.links, d.blocks),
    testResource(),
    longPathResource(),
    queryResource(),
    separateResource(d.opts.separateDelayMs),
    largeResource(d.blocks),
    largeUpdateResource(d.blocks, d.opts.maxBodyBytes),
    largeCreateResource(d.blocks),
    largePostResource(d.blocks),
    observeResource({ path: '/obs', title: 'Observable resource which changes every period', confirmable: true, periodMs: d.opts.obsPeriodMs, bug: d.bug }),
    observeResource({ path: '/obs-non', title: 'Observable resource which changes every period, NON notifications', confirmable: false, periodMs: d.opts.obsPeriodMs, bug: d.bug }),
    locationQueryResource(),
    multiFormatResource(),
    validateResource(),
    create1Resource(),
    ...pathResources(),
    ...linkResources(),
    ...firmwareResources(),
  ];
}
