import { createLogger, logConfigFromEnv, prettyLine, scrub, sdkLogger } from '../../src/telemetry/logger';

function capture(isTTY = false) {
  const lines: string[] = [];
  return { lines, stream: { isTTY, write: (line: string) => void lines.push(line) } };
}

describe('the logger', () => {
  it('writes one JSON object per line with time, level, message, context and fields', () => {
    const out = capture();
    const logger = createLogger({ stream: out.stream, bindings: { label: '演练 rehearsal' } });
    logger.child({ component: 'outbox' }).warn('digest held', { keys: ['a'] });
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]!.endsWith('\n')).toBe(true);
    const entry = JSON.parse(out.lines[0]!);
    expect(entry).toEqual({
      level: 'warn',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      label: '演练 rehearsal',
      component: 'outbox',
      keys: ['a'],
      msg: 'digest held',
    });
  });

  it('drops lines below its level', () => {
    const out = capture();
    const logger = createLogger({ stream: out.stream, level: 'WARN' });
    logger.info('not shown');
    logger.debug('not shown');
    logger.error('shown');
    expect(out.lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
    expect(logger.enabled('INFO')).toBe(false);
  });

  it('reads as a line on a terminal: Shanghai clock, level, label, message, then fields', () => {
    const out = capture(true);
    createLogger({ stream: out.stream, color: false, bindings: { label: '演练 rehearsal' } }).info('ready', {
      port: 8080,
    });
    expect(out.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[演练 rehearsal\] ready {2}port=8080\n$/);
    const line = JSON.stringify({ time: '2017-05-23T00:41:00.000Z', level: 'error', msg: 'x' });
    expect(prettyLine(line)).toBe('08:41:00.000 ERROR x\n');
  });

  it('never writes URL credentials, mail addresses or secret-named fields', () => {
    const out = capture();
    const logger = createLogger({ stream: out.stream });
    logger.error('send failed for fuzhou.officer@duban.example via smtps://user:s3cret@mail.example:465', {
      password: 's3cret',
      token: 'operator-token-123456',
      to: 'Head <head@fj.gov.cn>',
    });
    const text = out.lines.join('');
    for (const secret of ['s3cret', 'operator-token-123456', 'fuzhou.officer@', 'head@fj.gov.cn'])
      expect(text).not.toContain(secret);
    expect(text).toContain('smtps://user:…@mail.example:465');
    expect(scrub('postgres://postgres@127.0.0.1:1/duban')).toBe('postgres://postgres@127.0.0.1:1/duban');
    expect(scrub('a@b.cn and unit@fj-czt')).toBe('<address> and unit@fj-czt');
  });

  it('takes DUBAN_LOG_LEVEL in any case and refuses an unknown one naming the variable', () => {
    expect(logConfigFromEnv({ DUBAN_LOG_LEVEL: 'debug' })).toEqual({ level: 'DEBUG', format: undefined });
    expect(logConfigFromEnv({})).toEqual({ level: 'INFO', format: undefined });
    expect(() => logConfigFromEnv({ DUBAN_LOG_LEVEL: 'LOUD' })).toThrow(/^DUBAN_LOG_LEVEL: "LOUD" is not one of/);
    expect(() => logConfigFromEnv({ DUBAN_LOG_FORMAT: 'xml' })).toThrow(/^DUBAN_LOG_FORMAT: "xml" is not one of json/);
  });

  it("forwards the Temporal SDK's lines at their level, marked sdk", () => {
    const out = capture();
    const logger = createLogger({ stream: out.stream, level: 'INFO' });
    const sdk = sdkLogger(() => logger);
    sdk.debug('hidden');
    sdk.log('WARN', 'Worker state changed', { sdkComponent: 'worker', state: 'DRAINING' });
    expect(out.lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'Worker state changed', sdk: true, sdkComponent: 'worker' }),
    ]);
    // A process that wants fewer of the SDK's lines than of its own (a simulation) says so.
    sdkLogger(() => logger, 'ERROR').warn('dropped');
    expect(out.lines).toHaveLength(1);
  });
});
