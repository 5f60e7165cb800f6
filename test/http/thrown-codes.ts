/**
 * Every error code the code base can produce, found in its source (src/**\/*.ts) with the TypeScript parser:
 * the code literals given to `new CunzhengError(…)`, and to every function that passes one of its own
 * parameters on as a code (tsaError, merkleError, the USCC checks' fail, the ASN.1 readers…, found by
 * following those parameters until nothing new turns up), and to `httpAnswer(…)`, the HTTP layer's own
 * answers (a code variable is followed to its initializer; `e.code` passes a code through and adds none).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{3,}$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

function enclosingFunction(node: ts.Node): FunctionLike | undefined {
  for (let n = node.parent; n !== undefined; n = n.parent) {
    if (ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) return n;
  }
  return undefined;
}

function functionName(f: FunctionLike): string | undefined {
  if ((ts.isFunctionDeclaration(f) || ts.isMethodDeclaration(f)) && f.name !== undefined && ts.isIdentifier(f.name)) return f.name.text;
  if (ts.isVariableDeclaration(f.parent) && ts.isIdentifier(f.parent.name)) return f.parent.name.text;
  return undefined;
}

function calleeName(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** The variable `name` declared in `scope` (a function body or the file), or undefined. */
function declaration(scope: ts.Node, name: string): ts.VariableDeclaration | undefined {
  let found: ts.VariableDeclaration | undefined;
  const visit = (n: ts.Node): void => {
    if (found !== undefined) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(scope);
  return found;
}

export interface CodeScan {
  /** code → where it is produced (file:line). */
  codes: Map<string, string[]>;
  /** Functions found to take a code, with the position of that parameter. */
  helpers: Map<string, Set<number>>;
}

export function scanCodes(root: string): CodeScan {
  const files = sourceFiles(join(root, 'src')).map((f) => ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true));
  const helpers = new Map<string, Set<number>>([['CunzhengError', new Set([0])], ['httpAnswer', new Set([0])]]);
  const codes = new Map<string, string[]>();
  let grew = true;
  const addHelper = (name: string, index: number): void => {
    const set = helpers.get(name) ?? new Set<number>();
    if (!set.has(index)) {
      set.add(index);
      helpers.set(name, set);
      grew = true;
    }
  };
  const collect = (arg: ts.Expression, at: ts.Node, file: ts.SourceFile, seen = new Set<ts.Node>()): void => {
    if (seen.has(arg)) return;
    seen.add(arg);
    if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) {
      if (!CODE.test(arg.text)) return;
      const where = `${relative(root, file.fileName)}:${file.getLineAndCharacterOfPosition(at.getStart(file)).line + 1}`;
      const list = codes.get(arg.text) ?? [];
      if (!list.includes(where)) list.push(where);
      codes.set(arg.text, list);
    } else if (ts.isConditionalExpression(arg)) {
      collect(arg.whenTrue, at, file, seen);
      collect(arg.whenFalse, at, file, seen);
    } else if (ts.isParenthesizedExpression(arg) || ts.isAsExpression(arg) || ts.isSatisfiesExpression(arg)) {
      collect(arg.expression, at, file, seen);
    } else if (ts.isBinaryExpression(arg) && (arg.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || arg.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      collect(arg.left, at, file, seen);
      collect(arg.right, at, file, seen);
    } else if (ts.isIdentifier(arg)) {
      const f = enclosingFunction(arg);
      const index = f?.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === arg.text) ?? -1;
      const name = f === undefined ? undefined : functionName(f);
      if (f !== undefined && index >= 0) {
        if (name !== undefined) addHelper(name, index);
        return;
      }
      const decl = declaration(f?.body ?? file, arg.text) ?? declaration(file, arg.text);
      if (decl?.initializer !== undefined) collect(decl.initializer, at, file, seen);
    }
  };
  while (grew) {
    grew = false;
    for (const file of files) {
      const visit = (n: ts.Node): void => {
        if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && n.arguments !== undefined) {
          const name = calleeName(n.expression);
          const positions = name === undefined ? undefined : helpers.get(name);
          if (positions !== undefined && (ts.isCallExpression(n) || name === 'CunzhengError')) {
            for (const i of positions) {
              const arg = n.arguments[i];
              if (arg !== undefined) collect(arg, n, file);
            }
          }
        }
        ts.forEachChild(n, visit);
      };
      visit(file);
    }
  }
  return { codes, helpers };
}
