/**
 * The parameters the editor shows (names, order, defaults, display rules) are the node's contract
 * with every saved workflow. Moving code between files must not change them: the node's whole
 * `description.properties` is compared with a JSON copy taken before the moves of issue 28
 * (fixtures/nodeProperties.json). A deliberate change to a parameter updates the fixture in the
 * same commit, so a reviewer sees it.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { PaymentsTrust } from '../../nodes/PaymentsTrust/PaymentsTrust.node';

it('the node shows exactly the parameters of the fixture, in the same order', () => {
	const fixture = JSON.parse(
		readFileSync(join(__dirname, 'fixtures', 'nodeProperties.json'), 'utf8'),
	) as unknown;
	const properties = JSON.parse(
		JSON.stringify(new PaymentsTrust().description.properties),
	) as unknown;
	expect(properties).toEqual(fixture);
});
