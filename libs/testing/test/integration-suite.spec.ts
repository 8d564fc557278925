/** The REQUIRE_INTEGRATION convention: skip with a reason locally, fail in CI. */
type Helper = typeof import('../src/integration/integration-suite');

function freshHelper(env: Record<string, string | undefined>): Helper {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  let helper!: Helper;
  jest.isolateModules(() => {
    helper = jest.requireActual<Helper>('../src/integration/integration-suite');
  });
  return helper;
}

describe('integrationAvailable / integrationSuite', () => {
  const saved = { ...process.env };
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    warn.mockRestore();
    process.env = { ...saved };
  });

  const unreachable = { TEST_DATABASE_ADMIN_URL: 'postgres://postgres:secret@127.0.0.1:1/postgres' };

  it('skips with a warning that names what is missing', () => {
    const helper = freshHelper({ ...unreachable, REQUIRE_INTEGRATION: undefined });
    expect(helper.integrationAvailable(['postgres'], 'the widget suite')).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Skipping the widget suite: PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres is not reachable/));
    expect(helper.integrationSuite(['postgres'], 'the widget suite')).toBe(describe.skip);
  });

  it('fails instead under REQUIRE_INTEGRATION=1', () => {
    const helper = freshHelper({ ...unreachable, REQUIRE_INTEGRATION: '1' });
    expect(() => helper.integrationAvailable(['postgres'], 'the widget suite')).toThrow(/^REQUIRE_INTEGRATION=1 but the widget suite cannot run: PostgreSQL/);
    expect(warn).not.toHaveBeenCalled();
  });

  it('runs a suite that needs nothing', () => {
    const helper = freshHelper({ ...unreachable, REQUIRE_INTEGRATION: '1' });
    expect(helper.integrationAvailable([], 'the pure suite')).toBe(true);
    expect(helper.integrationSuite([], 'the pure suite')).toBe(describe);
  });
});
