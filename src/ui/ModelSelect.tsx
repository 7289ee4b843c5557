import { Box, Text, useApp, useInput, useWindowSize } from 'ink';
import { useEffect, useReducer } from 'react';
import { selectorLines } from './model-select-lines.js';
import { update, type Action, type PreviewView, type SavedView, type SelectState } from './model-select-state.js';

/** The daemon's selector endpoints, over its HTTP API: the selector knows nothing of its modules. */
export interface SelectorSource {
  preview(task: string, model: string | null): Promise<PreviewView>;
  save(task: string, model: string | null): Promise<SavedView>;
}

export function ModelSelectView(props: { state: SelectState; width: number; height: number }) {
  return (
    <Box flexDirection="column">
      {selectorLines(props.state, props.width, props.height).map((line, index) => (
        <Text
          key={index}
          wrap="truncate"
          {...(line.color ? { color: line.color } : {})}
          {...(line.bold ? { bold: true } : {})}
          {...(line.dim ? { dimColor: true } : {})}
          {...(line.inverse ? { inverse: true } : {})}
        >
          {line.text || ' '}
        </Text>
      ))}
    </Box>
  );
}

/**
 * The interactive selector: keys go to the reducer; a phase that waits on the daemon (a preview,
 * a save) makes the call here, and a final one (saved, quit) ends Ink with it as the result.
 */
export function ModelSelectApp(props: { initial: SelectState; source: SelectorSource }) {
  const { exit } = useApp();
  const size = useWindowSize();
  const [state, dispatch] = useReducer(update, props.initial);
  useInput((input, key) => dispatch({ type: 'key', input, key }));
  useEffect(() => dispatch({ type: 'resize', rows: size.rows }), [size.rows]);

  const { phase } = state;
  useEffect(() => {
    if (phase.kind === 'saved' || phase.kind === 'quit') {
      exit(phase);
      return;
    }
    let work: Promise<Action>;
    if (phase.kind === 'previewing') work = props.source.preview(phase.task, phase.model).then((preview) => ({ type: 'previewed', preview }));
    else if (phase.kind === 'saving') work = props.source.save(phase.preview.task, phase.preview.model).then((saved) => ({ type: 'saved', saved }));
    else return;
    // An answer that comes after Esc left the phase is dropped.
    let current = true;
    work.then(
      (action) => current && dispatch(action),
      (error: unknown) => current && dispatch({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      current = false;
    };
  }, [phase]);

  return <ModelSelectView state={state} width={size.columns} height={size.rows} />;
}
