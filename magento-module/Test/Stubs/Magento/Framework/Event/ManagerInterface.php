<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Event;

/**
 * Test stand-in for Magento's event manager.
 */
interface ManagerInterface
{
    /**
     * Dispatch an event to its observers.
     *
     * @param string $eventName
     * @param array<string, mixed> $data
     * @return void
     */
    public function dispatch($eventName, array $data = []);
}
