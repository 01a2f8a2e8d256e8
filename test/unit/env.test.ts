import { InvalidEnvironmentError, loadEnv } from '../../config/env';

describe('settings from the environment', () => {
  it('refuses a bad value by name, pointing at the README', () => {
    for (const value of ['0', 'many', '2.5']) {
      const load = () => loadEnv({ TEMPORAL_MAX_CACHED_WORKFLOWS: value });
      expect(load).toThrow(InvalidEnvironmentError);
      expect(load).toThrow(/TEMPORAL_MAX_CACHED_WORKFLOWS: .*README "Configuration"/);
    }
  });

  it('takes an empty value as unset (`FOO= npm start`), so the default applies', () => {
    expect(loadEnv({ TEMPORAL_MAX_CACHED_WORKFLOWS: '', OUTBOX_RELAY_CONCURRENCY: '' })).toMatchObject({ TEMPORAL_MAX_CACHED_WORKFLOWS: 1_000, OUTBOX_RELAY_CONCURRENCY: 2 });
    expect(loadEnv({ TEMPORAL_MAX_CACHED_WORKFLOWS: '250' }).TEMPORAL_MAX_CACHED_WORKFLOWS).toBe(250);
  });
});
