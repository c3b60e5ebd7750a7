<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Integration\Model;

/**
 * Test stand-in for Magento's merged integration.xml reader.
 */
class ConsolidatedConfig
{
    /**
     * Return the integrations declared in integration.xml files, keyed by name.
     *
     * @return array
     */
    public function getIntegrations()
    {
        return [];
    }
}
