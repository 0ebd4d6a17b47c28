/**
 * @serialport/binding-mock, typed and as the one CommonJS instance `serialport`'s SerialPortMock
 * also uses (toolchain.md section 2): its package has no `types` condition for ESM (TS7016), and
 * the ESM build would be a second instance whose ports the CommonJS one cannot see.
 */
import { createRequire } from 'node:module';

type BindingMockModule = typeof import('@serialport/binding-mock', { with: { 'resolution-mode': 'require' } });
const require = createRequire(import.meta.url);
export const { MockBinding, MockPortBinding, CanceledError } = require('@serialport/binding-mock') as BindingMockModule;
export type { MockBindingInterface, CreatePortOptions } from '@serialport/binding-mock' with { 'resolution-mode': 'require' };
/** The port object MockBinding.open gives (the value above is its class). */
export type MockPortBinding = InstanceType<BindingMockModule['MockPortBinding']>;
/** Binding types, resolved the same way (that package has no `types` condition either). */
export type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
  SetOptions,
  UpdateOptions,
} from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
