import fs from 'node:fs';
import path from 'node:path';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { connectCredential } from '../../db/configs';
import { createOrganization } from '../../db/organizations';
import { listRuns } from '../../db/runs';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration, type SeededIntegration } from '../../demo/seed';
import { createCredential } from '../../db/credentials';
import { runCli } from '../support/cli';
import { useFileWorld } from '../support/fileWorld';

const NETSUITE_ACCOUNT = '7654321';

const { h, keyPair } = useFileWorld();
let seeded: SeededIntegration;

beforeAll(async () => {
  seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NETSUITE_ACCOUNT });
});

const cli = async (args: string[]) => (await runCli(h, args)).out;

describe('secrets', () => {
  it('never appear in workflow histories, worker logs or CLI output, through token refreshes and a refused credential', async () => {
    const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: NETSUITE_ACCOUNT, account: { code: 'SECRETCO' } });

    // A revoked token mid-run forces a second token request inside the post activity.
    await h.emulator.admin.scriptFaults(NETSUITE_ACCOUNT, [{ kind: 'revokeTokens' }]);
    const { bill, handoffs } = await saveAndHandOff(h.db, seeded.orgId, sampleBill(account.id), 'test');
    await h.settle(handoffs);
    expect((await listRuns(h.db, seeded.orgId, { billId: bill.id }))[0]?.status).toBe('COMPLETE');

    // Now a credential NetSuite refuses (its certificate id is not uploaded): the run is AUTH_FAILED.
    const wrong = await createCredential(h.db, h.cipher, seeded.orgId, { accountId: NETSUITE_ACCOUNT, certificateId: 'not-uploaded', clientId: 'some-client', privateKeyPem: keyPair.privateKeyPem });
    await connectCredential(h.db, seeded.orgId, seeded.configId, wrong.id);
    await h.settle((await approveAndHandOff(h.db, seeded.orgId, [bill.id], 'test')).handoffs);
    const failed = (await listRuns(h.db, seeded.orgId, { billId: bill.id }))[0];
    expect(failed).toMatchObject({ status: 'AUTH_FAILED' });
    expect(failed?.error).toContain('MissingKey');

    const keyFile = path.join(h.tmpDir, 'private.pem');
    fs.writeFileSync(keyFile, keyPair.privateKeyPem);
    const cliOutput = [
      await cli(['credential', 'create', '--org', seeded.orgId, '--account-id', NETSUITE_ACCOUNT, '--certificate-id', 'c2', '--client-id', 'x', '--private-key-file', keyFile]),
      await cli(['runs', 'list', '--org', seeded.orgId, '--bill', bill.id]),
    ].join('\n');
    expect(cliOutput).toContain('keyFingerprint');

    const org = await createOrganization(h.db, 'Another org');

    const histories: string[] = [];
    for await (const execution of h.temporal.workflow.list({ query: `TaskQueue = "${h.taskQueue}"` })) {
      histories.push(JSON.stringify(await h.temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory()));
    }
    expect(histories.length).toBeGreaterThanOrEqual(2);

    const tokens = await h.emulator.admin.issuedTokens(NETSUITE_ACCOUNT);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const keyBody = keyPair.privateKeyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
    const secrets = [...tokens, ...keyBody, 'PRIVATE KEY', org.apiSecret, 'eyJhbGci' /* any signed JWT, e.g. the client assertion */];
    const haystacks = { histories: histories.join('\n'), logs: h.logLines.join('\n'), cli: cliOutput };
    expect(haystacks.logs.length).toBeGreaterThan(0);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 6)}…) appears in ${where}`);
      }
    }
  });
});
