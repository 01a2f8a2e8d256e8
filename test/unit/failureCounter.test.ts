import { applyToCounter, initialCounterState, successiveErrors, type CounterInput, type FailureCounterState } from '../../domain/failureCounter';

const error = (runId: string, at: number): CounterInput => ({ kind: 'error', runId, at, eventId: `e-${runId}`, eventName: 'integration.validation.error', reason: 'refused' });
const success = (runId: string, at: number): CounterInput => ({ kind: 'success', runId, at });

function run(inputs: CounterInput[], threshold = 10): { state: FailureCounterState; disabledAt: number[] } {
  let state = initialCounterState();
  const disabledAt: number[] = [];
  inputs.forEach((input, index) => {
    const result = applyToCounter(state, input, threshold);
    state = result.state;
    if (result.disableNow) disabledAt.push(index);
  });
  return { state, disabledAt };
}

describe('the successive-error counter', () => {
  it('disables once, at the threshold, however many errors follow', () => {
    const { disabledAt, state } = run(Array.from({ length: 25 }, (_, i) => error(`r${i}`, i + 1)));
    expect(disabledAt).toEqual([9]);
    expect(successiveErrors(state)).toBe(25);
  });

  it('counts a run reported twice (a retried activity) once', () => {
    const { state, disabledAt } = run([error('a', 1), error('a', 1), error('b', 2)], 3);
    expect(successiveErrors(state)).toBe(2);
    expect(disabledAt).toEqual([]);
  });

  it('a success resets the count', () => {
    const { state } = run([error('a', 1), error('b', 2), success('s', 3), error('c', 4)]);
    expect(successiveErrors(state)).toBe(1);
  });

  it('orders by completion time, not arrival: a late success only clears the errors before it', () => {
    const { state } = run([error('a', 1), error('c', 5), success('s', 3)]);
    expect(state.errors.map((e) => e.runId)).toEqual(['c']);
  });

  it('ignores an error that arrives after a newer success', () => {
    const { state } = run([success('s', 10), error('old', 5)]);
    expect(successiveErrors(state)).toBe(0);
  });

  it('re-enabling starts from zero and ignores errors completed before it', () => {
    const { state: disabled } = run(Array.from({ length: 10 }, (_, i) => error(`r${i}`, i + 1)));
    expect(disabled.disabled).toBe(true);
    let state = applyToCounter(disabled, { kind: 'enabled', at: 100 }, 10).state;
    state = applyToCounter(state, error('late', 50), 10).state;
    expect(state).toMatchObject({ disabled: false, errors: [] });
    state = applyToCounter(state, error('new', 101), 10).state;
    expect(successiveErrors(state)).toBe(1);
  });

  it('keeps the details of the latest errors for the email', () => {
    const { state } = run(Array.from({ length: 30 }, (_, i) => error(`r${i}`, i + 1)));
    expect(state.recent.length).toBeLessThanOrEqual(20);
    expect(state.recent.at(-1)?.runId).toBe('r29');
  });
});
