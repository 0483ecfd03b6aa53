/**
 * Commander's own words (help section titles, its parse errors) in the current language.
 * Commander has no message catalogue; it lets a program restyle titles (`styleTitle`) and
 * route errors (`outputError`), so the few texts it makes itself are mapped here.
 */
import { Help, type HelpConfiguration, type Option } from 'commander';
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { currentLanguage } from '../i18n/language.ts';

const TITLES: Record<string, string> = {
  'Usage:': '用法：',
  'Options:': '选项：',
  'Arguments:': '参数：',
  'Commands:': '命令：',
  'Global Options:': '全局选项：',
};

export function commanderHelpTitle(title: string): string {
  return currentLanguage() === 'zh-CN' ? (TITLES[title] ?? title) : title;
}

/**
 * Help in the current language, laid out by display width: commander measures text in
 * UTF-16 units and wraps at spaces, so Chinese (two columns a character, no spaces) would
 * overflow; string-width and wrap-ansi measure and break it properly.
 */
export function helpConfiguration(): HelpConfiguration {
  return {
    styleTitle: commanderHelpTitle,
    displayWidth: (text: string) => stringWidth(text),
    boxWrap(this: Help, text: string, width: number) {
      return width < this.minWidthToWrap ? text : wrapAnsi(text, width, { hard: true, trim: true });
    },
    optionDescription(this: Help, option: Option) {
      const text = Help.prototype.optionDescription.call(this, option);
      if (currentLanguage() !== 'zh-CN') return text;
      return text.replace(/ \((default|choices): (.*)\)$/, (_all, kind: string, value: string) => (kind === 'default' ? `（默认：${value}）` : `（可选：${value}）`));
    },
  };
}

/** Commander's parse errors, as it words them (commander 14), and their Chinese. */
const ERRORS: Array<[RegExp, string]> = [
  [/^error: unknown option '(.+)'/, "错误：未知选项 '$1'"],
  [/^error: unknown command '(.+)'/, "错误：未知命令 '$1'"],
  [/^error: missing required argument '(.+)'/, "错误：缺少必需的参数 '$1'"],
  [/^error: option '(.+)' argument missing/, "错误：选项 '$1' 缺少参数"],
  [/^error: required option '(.+)' not specified/, "错误：没有给出必需的选项 '$1'"],
  [/^error: too many arguments/, '错误：参数太多'],
  [/^error: option '(.+)' argument '(.+)' is invalid\. Allowed choices are (.+)\./, "错误：选项 '$1' 的值 '$2' 无效，只能是 $3。"],
];

export function translateCommanderError(text: string): string {
  if (currentLanguage() !== 'zh-CN') return text;
  for (const [pattern, chinese] of ERRORS) {
    if (pattern.test(text)) return text.replace(pattern, chinese);
  }
  return text.replace(/^error:/, '错误：');
}
