<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api;

/**
 * Publishes the module's settings to the bridge (GET /V1/gladly/config).
 *
 * @api
 */
interface ConfigProviderInterface
{
    /**
     * Return the current settings.
     *
     * @return \Gladly\Connector\Api\Data\BridgeConfigInterface
     */
    public function get(): Data\BridgeConfigInterface;
}
