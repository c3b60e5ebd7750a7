<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

/*
 * PHPUnit bootstrap for running the unit tests without a Magento installation: the module's classes
 * load from the module root (PSR-4 "Gladly\Connector\" => ""), and the few Magento framework and PSR
 * types the module touches load from Test/Stubs: interfaces and classes reduced to the methods the module
 * uses, which tests mock. dev/check-stubs.php holds their signatures to a real Magento's.
 */

$moduleRoot = dirname(__DIR__);
$stubRoot = __DIR__ . '/Stubs';

spl_autoload_register(static function (string $class) use ($moduleRoot, $stubRoot): void {
    $prefix = 'Gladly\\Connector\\';
    if (strncmp($class, $prefix, strlen($prefix)) === 0) {
        $file = $moduleRoot . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    } elseif (strncmp($class, 'Magento\\', 8) === 0 || strncmp($class, 'Psr\\Log\\', 8) === 0) {
        $file = $stubRoot . '/' . str_replace('\\', '/', $class) . '.php';
    } else {
        return;
    }
    if (is_file($file)) {
        require_once $file;
    }
});

if (!function_exists('__')) {
    require_once $stubRoot . '/functions.php';
}
