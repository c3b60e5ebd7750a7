<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

// phpcs:disable PSR1.Files.SideEffects -- a command-line script: its functions, then the code that runs them.

/*
 * Checks the unit tests' stand-ins (Test/Stubs) against a real Magento installation.
 *
 * Usage: php dev/check-stubs.php /path/to/magento   (exit 0: no drift; 1: drift, printed; 2: usage)
 *
 * For every class, interface and function under Test/Stubs, it reflects the stub (in one PHP process,
 * with the unit tests' bootstrap) and the real type (in another, with the installation's
 * vendor/autoload.php and generated/code for factories that setup:di:compile generates), then compares:
 * kind (class, abstract class, interface), parent and interfaces (the real type must have each the stub
 * names), constants (same value) and, for each method, visibility, static, parameter count, each
 * parameter's name, type, optionality, variadic and by-reference flags, and the declared return type.
 *
 * Stubs may be a deliberately reduced subset: only the methods the module's code and tests use, no
 * constructor where tests build the type with createMock(). The check therefore goes one way: every
 * method and constant a stub DOES declare must exist in Magento with the same signature; methods that
 * Magento has and the stub leaves out are not reported. Method bodies (what a stand-in returns) are not
 * compared: behaviour is the real-Magento suite's job (tests/magento). Private members are a stub's own
 * business and are skipped. A stub method Magento does not declare still passes when Magento's class
 * answers it through DataObject's magic __call (getStatus(), setValue(): a column's getter or setter).
 * A stub's methods include those it inherits from other stubs (a stub model extending the stub DataObject
 * inherits getData()), except an inherited constructor: a stub without a constructor of its own stands
 * for a type the tests build with createMock(), never with new.
 */

const STUB_DIR = __DIR__ . '/../Test/Stubs';

/**
 * List the stub files and the type each one declares, by fully qualified name.
 *
 * @return array<string, string> type name => file
 */
function stubTypes(): array
{
    $types = [];
    $root = realpath(STUB_DIR);
    $files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($root, FilesystemIterator::SKIP_DOTS));
    foreach ($files as $file) {
        $relative = substr($file->getPathname(), strlen($root) + 1);
        if ($file->getExtension() === 'php' && $relative !== 'functions.php') {
            $types[str_replace('/', '\\', substr($relative, 0, -4))] = $file->getPathname();
        }
    }
    ksort($types);
    return $types;
}

/**
 * Describe a type as plain data: kind, ancestry, and its non-private constants and methods.
 *
 * @param string $name
 * @param string[]|null $declaredIn Only members declared in these types (the stubs), or all (null).
 * @return array<string, mixed>|null null when the type does not exist
 */
function describeType(string $name, ?array $declaredIn): ?array
{
    if (!class_exists($name) && !interface_exists($name)) {
        return null;
    }
    $class = new ReflectionClass($name);
    $methods = [];
    foreach ($class->getMethods() as $method) {
        $declaring = $method->getDeclaringClass()->getName();
        $inheritedConstructor = $declaredIn !== null && $method->isConstructor() && $declaring !== $name;
        if (!$method->isPrivate() && !$inheritedConstructor && isDeclaredIn($declaring, $declaredIn)) {
            $methods[strtolower($method->getName())] = describeFunction($method);
        }
    }
    $constants = [];
    foreach ($class->getReflectionConstants() as $constant) {
        if (!$constant->isPrivate() && isDeclaredIn($constant->getDeclaringClass()->getName(), $declaredIn)) {
            $constants[$constant->getName()] = var_export($constant->getValue(), true);
        }
    }
    $kind = $class->isInterface() ? 'interface' : ($class->isAbstract() ? 'abstract class' : 'class');
    return [
        'kind' => $kind,
        'ancestors' => array_values(array_merge($class->getInterfaceNames(), parentNames($class))),
        'constants' => $constants,
        'methods' => $methods,
    ];
}

/**
 * Tell whether a member's declaring type is one of those compared (all when $types is null).
 *
 * @param string $declaringType
 * @param string[]|null $types
 * @return bool
 */
function isDeclaredIn(string $declaringType, ?array $types): bool
{
    return $types === null || in_array($declaringType, $types, true);
}

/**
 * Return the names of every parent class of a class.
 *
 * @param ReflectionClass $class
 * @return string[]
 */
function parentNames(ReflectionClass $class): array
{
    $names = [];
    for ($parent = $class->getParentClass(); $parent; $parent = $parent->getParentClass()) {
        $names[] = $parent->getName();
    }
    return $names;
}

/**
 * Describe a method's or function's signature as one comparable line per aspect.
 *
 * "documented" is the signature with the docblock's types where no native type is declared: PSR-3's
 * psr/log 1 (Magento 2.4.6) documents `@param string|\Stringable $message` and `@return void`, which
 * psr/log 3 (Magento 2.4.8) declares natively. A stub written like psr/log 1 therefore matches both, and a
 * type that differs from its documented one is still a drift.
 *
 * @param ReflectionFunctionAbstract $function
 * @return array<string, mixed>
 */
function describeFunction(ReflectionFunctionAbstract $function): array
{
    $doc = (string) $function->getDocComment();
    $parameters = [];
    $documented = [];
    foreach ($function->getParameters() as $parameter) {
        $format = '%s' . ($parameter->isPassedByReference() ? '&' : '') . ($parameter->isVariadic() ? '...' : '')
            . '$' . $parameter->getName() . ($parameter->isOptional() && !$parameter->isVariadic() ? ' = …' : '');
        $native = $parameter->hasType() ? typeName((string) $parameter->getType()) : null;
        $parameters[] = sprintf($format, $native !== null ? $native . ' ' : '');
        $docType = preg_match('/@param\s+(\S+)\s+\$' . $parameter->getName() . '\b/', $doc, $match)
            ? typeName($match[1]) : null;
        $documented[] = sprintf($format, ($native ?? $docType) !== null ? ($native ?? $docType) . ' ' : '');
    }
    $modifiers = '';
    if ($function instanceof ReflectionMethod) {
        $flags = $function->getModifiers() & ~ReflectionMethod::IS_ABSTRACT & ~ReflectionMethod::IS_FINAL;
        $modifiers = implode(' ', Reflection::getModifierNames($flags)) . ' ';
    }
    $return = $function->hasReturnType() ? typeName((string) $function->getReturnType()) : null;
    $docReturn = preg_match('/@return\s+(\S+)/', $doc, $match) ? typeName($match[1]) : null;
    $line = static fn (array $list, ?string $type): string => sprintf(
        '%sfunction %s(%s)%s',
        $modifiers,
        $function->getName(),
        implode(', ', $list),
        $type !== null ? ': ' . $type : ''
    );
    return [
        'name' => $function->getName(),
        'signature' => $line($parameters, $return),
        'documented' => $line($documented, $return ?? $docReturn),
    ];
}

/**
 * Write a type the same way whether reflected or read from a docblock: union members sorted, no leading "\".
 *
 * @param string $type
 * @return string
 */
function typeName(string $type): string
{
    $members = array_map(static fn (string $member): string => ltrim($member, '\\'), explode('|', $type));
    sort($members, SORT_STRING | SORT_FLAG_CASE);
    return implode('|', $members);
}

/**
 * Print, as JSON, the description of every stub type (side "stubs") or of the real types (side "real").
 *
 * @param string $side
 * @param string|null $magentoRoot
 * @return void
 */
function dump(string $side, ?string $magentoRoot): void
{
    if ($side === 'stubs') {
        require __DIR__ . '/../Test/bootstrap.php';
    } else {
        require $magentoRoot . '/vendor/autoload.php';
        // Factories and proxies are generated by Magento (setup:di:compile writes them to generated/code).
        spl_autoload_register(static function (string $class) use ($magentoRoot): void {
            $file = $magentoRoot . '/generated/code/' . str_replace('\\', '/', $class) . '.php';
            if (is_file($file)) {
                require_once $file;
            }
        });
    }
    $result = ['types' => [], 'functions' => []];
    $names = array_keys(stubTypes());
    foreach ($names as $name) {
        $result['types'][$name] = describeType($name, $side === 'stubs' ? $names : null);
    }
    if ($side === 'stubs') {
        require_once STUB_DIR . '/functions.php';
    }
    foreach (['__'] as $function) {
        $result['functions'][$function] = function_exists($function)
            ? describeFunction(new ReflectionFunction($function))
            : null;
    }
    echo json_encode($result, JSON_THROW_ON_ERROR);
}

/**
 * Run this script for one side in a fresh PHP process, so the stub and the real type never meet.
 *
 * @param string[] $arguments
 * @return array<string, mixed>
 */
function describeSide(array $arguments): array
{
    $command = array_merge([PHP_BINARY, __FILE__, '--dump'], $arguments);
    $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    if (proc_close($process) !== 0) {
        fwrite(STDERR, "Could not reflect {$arguments[0]}:\n{$out}{$err}\n");
        exit(2);
    }
    return json_decode((string) $out, true, 512, JSON_THROW_ON_ERROR);
}

/**
 * Compare one stub type with the real one; return the drifts found.
 *
 * @param string $name
 * @param array<string, mixed> $stub
 * @param array<string, mixed>|null $real
 * @return string[]
 */
function compareType(string $name, array $stub, ?array $real): array
{
    if ($real === null) {
        return ["{$name}: not found in Magento"];
    }
    $drifts = [];
    if ($stub['kind'] !== $real['kind']) {
        $drifts[] = "{$name}: {$stub['kind']} in the stub, {$real['kind']} in Magento";
    }
    foreach ($stub['ancestors'] as $ancestor) {
        if (!in_array($ancestor, $real['ancestors'], true)) {
            $drifts[] = "{$name}: the stub extends or implements {$ancestor}, Magento's does not";
        }
    }
    foreach ($stub['constants'] as $constant => $value) {
        if (!array_key_exists($constant, $real['constants'])) {
            $drifts[] = "{$name}::{$constant}: no such constant in Magento";
        } elseif ($real['constants'][$constant] !== $value) {
            $drifts[] = "{$name}::{$constant}: {$value} in the stub, {$real['constants'][$constant]} in Magento";
        }
    }
    foreach ($stub['methods'] as $key => $method) {
        $actual = $real['methods'][$key] ?? null;
        $magic = isset($real['methods']['__call']) && preg_match('/^(get|set|has|uns)[A-Z]/', $method['name']);
        $matches = [$method['signature'], $method['documented']];
        if ($actual === null && !$magic) {
            $drifts[] = "{$name}::{$method['name']}(): no such method in Magento";
        } elseif ($actual !== null && !in_array($actual['signature'], $matches, true)) {
            $drifts[] = "{$name}::{$method['name']}():\n    stub:    {$method['signature']}\n"
                . "    Magento: {$actual['signature']}";
        }
    }
    return $drifts;
}

if (($argv[1] ?? '') === '--dump') {
    dump($argv[2] ?? '', $argv[3] ?? null);
    exit(0);
}
$magentoRoot = $argv[1] ?? '';
if ($magentoRoot === '' || !is_file($magentoRoot . '/vendor/autoload.php')) {
    fwrite(STDERR, "Usage: php {$argv[0]} MAGENTO_ROOT (the folder holding vendor/autoload.php)\n");
    exit(2);
}
$stubs = describeSide(['stubs']);
$real = describeSide(['real', realpath($magentoRoot)]);
$drifts = [];
foreach ($stubs['types'] as $name => $stub) {
    $drifts = array_merge($drifts, compareType($name, $stub, $real['types'][$name] ?? null));
}
foreach ($stubs['functions'] as $function => $stub) {
    $actual = $real['functions'][$function] ?? null;
    if ($actual === null || $actual['signature'] !== $stub['signature']) {
        $drifts[] = "function {$function}():\n    stub:    {$stub['signature']}\n    Magento: "
            . ($actual['signature'] ?? 'not found');
    }
}
foreach ($drifts as $drift) {
    echo $drift, "\n";
}
printf(
    "%d stub types and %d functions checked against %s: %s\n",
    count($stubs['types']),
    count($stubs['functions']),
    realpath($magentoRoot),
    $drifts === [] ? 'no drift' : count($drifts) . ' drifts'
);
exit($drifts === [] ? 0 : 1);
