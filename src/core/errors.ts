import {ExitCode, type ExitCodeValue} from './exit-codes.js'

/** An error whose message is fit to show an operator as one line, with the exit code it maps to. */
export class CsnetError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.usage,
  ) {
    super(message)
    this.name = 'CsnetError'
  }
}

export class InputError extends CsnetError {
  constructor(message: string) {
    super(message, ExitCode.usage)
    this.name = 'InputError'
  }
}

export class BusyError extends CsnetError {
  constructor(message: string) {
    super(message, ExitCode.busy)
    this.name = 'BusyError'
  }
}

export class ApplyError extends CsnetError {
  constructor(message: string) {
    super(message, ExitCode.apply)
    this.name = 'ApplyError'
  }
}

/** Collapse any message to a single line: CloudStack merges stdout and stderr and stores some of it verbatim. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' | ').trim()
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return oneLine(error.message)
  return oneLine(String(error))
}
