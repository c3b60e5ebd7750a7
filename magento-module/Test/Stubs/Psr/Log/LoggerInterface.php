<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Psr\Log;

/**
 * Test stand-in for the PSR-3 logger (the levels this module uses).
 */
interface LoggerInterface
{
    /**
     * Log an informational message.
     *
     * @param string|\Stringable $message
     * @param array $context
     * @return void
     */
    public function info($message, array $context = []);

    /**
     * Log a warning.
     *
     * @param string|\Stringable $message
     * @param array $context
     * @return void
     */
    public function warning($message, array $context = []);

    /**
     * Log an error.
     *
     * @param string|\Stringable $message
     * @param array $context
     * @return void
     */
    public function error($message, array $context = []);
}
