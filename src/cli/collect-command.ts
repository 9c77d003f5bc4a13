// `netproof collect-script` and `netproof collect-api-script`: print the shell scripts that capture a
// node's dataplane and the Neutron API view into a cloud directory (docs/cloud-directory.md), so an
// operator can pipe them over ssh or drop them into Ansible.
import { collectApiScript } from '../cloud/collect-api-script.ts';
import { collectScript } from '../cloud/collect-script.ts';
import { EXIT, type Io } from './exit.ts';

export function runCollectScript(io: Io): number {
  io.out(collectScript());
  return EXIT.ok;
}

export function runCollectApiScript(io: Io): number {
  io.out(collectApiScript());
  return EXIT.ok;
}
