import { describe, expect, it } from 'vitest';
import { editBlocks, judgeChoice, pickMembers, voteOnEdits } from './consensus.js';

const edit = (replace: string, indent = '    ') => `Here is the change.\n\napp.py\n\`\`\`python\n<<<<<<< SEARCH\ndef greet():\n${indent}return "hi"\n=======\ndef greet():\n${indent}return "${replace}"\n>>>>>>> REPLACE\n\`\`\`\n`;

describe('consensus', () => {
  it('asks the first model of each provider, in the ranking\'s order', () => {
    const ranked = [
      { id: 'deepseek/deepseek-flash', provider: 'deepseek' as const, model: 'deepseek-flash' },
      { id: 'deepseek/deepseek-v4-pro', provider: 'deepseek' as const, model: 'deepseek-v4-pro' },
      { id: 'openai/gpt-5', provider: 'openai' as const, model: 'gpt-5' },
      { id: 'anthropic/claude-sonnet-4-5', provider: 'anthropic' as const, model: 'claude-sonnet-4-5' },
      { id: 'openai/o3', provider: 'openai' as const, model: 'o3' },
    ];
    expect(pickMembers(ranked, 3).map((member) => member.id)).toEqual(['deepseek/deepseek-flash', 'openai/gpt-5', 'anthropic/claude-sonnet-4-5']);
  });

  it('reads edit blocks with their whitespace normalized', () => {
    expect(editBlocks(edit('hello'))).toEqual(['app.py\ndef greet():\n return "hi"\n=======\ndef greet():\n return "hello"']);
    expect(editBlocks(edit('hello', '\t'))).toEqual(editBlocks(edit('hello', '        ')));
    expect(editBlocks('No edits here.')).toEqual([]);
  });

  it("takes the majority's edit; with no majority, none", () => {
    expect(voteOnEdits([edit('hello'), edit('hey'), edit('hello', '  ')])).toEqual({ winner: 0, agreeing: [0, 2], edits: true });
    expect(voteOnEdits([edit('a'), edit('b'), edit('c')])).toEqual({ winner: undefined, agreeing: [], edits: true });
    // Two answers of three came: both must agree.
    expect(voteOnEdits([edit('hello'), edit('hello')]).winner).toBe(0);
    expect(voteOnEdits(['Plain words.', 'Other words.'])).toEqual({ winner: undefined, agreeing: [], edits: false });
  });

  it("reads the judge's number", () => {
    expect(judgeChoice('2', 3)).toBe(1);
    expect(judgeChoice('Answer 3 is best.', 3)).toBe(2);
    expect(judgeChoice('4', 3)).toBeUndefined();
    expect(judgeChoice('none', 3)).toBeUndefined();
  });
});
