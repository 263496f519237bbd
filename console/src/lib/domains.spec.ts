import { describe, it } from '@jest/globals';
import { expectEqual } from '../../../libs/domain/src/testing/expect-equal';
import { domainGroups } from './domains';

describe('domainGroups', () => {
  it("given a primary's list, then its own domains first, then each subaccount's under its name", () => {
    expectEqual(
      domainGroups(
        [
          { name: 'a.example.com' },
          { name: 'z.example.com', subaccount_id: 'acc_z' },
          { name: 'b.example.com' },
          { name: 'y.example.com', subaccount_id: 'acc_y' },
          { name: 'x.example.com', subaccount_id: 'acc_unknown' },
        ],
        [
          { id: 'acc_z', name: 'Alpha shop' },
          { id: 'acc_y', name: 'Beta shop' },
        ],
      ),
      [
        {
          label: null,
          choices: [
            { name: 'a.example.com', subaccountId: null, subaccountName: null },
            { name: 'b.example.com', subaccountId: null, subaccountName: null },
          ],
        },
        {
          label: 'Subaccount: acc_unknown',
          choices: [{ name: 'x.example.com', subaccountId: 'acc_unknown', subaccountName: 'acc_unknown' }],
        },
        {
          label: 'Subaccount: Alpha shop',
          choices: [{ name: 'z.example.com', subaccountId: 'acc_z', subaccountName: 'Alpha shop' }],
        },
        {
          label: 'Subaccount: Beta shop',
          choices: [{ name: 'y.example.com', subaccountId: 'acc_y', subaccountName: 'Beta shop' }],
        },
      ],
    );
  });

  it('given no domains, then no groups', () => {
    expectEqual(domainGroups([], []), []);
  });
});
