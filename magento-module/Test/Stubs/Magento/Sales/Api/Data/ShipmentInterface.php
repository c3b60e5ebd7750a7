<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Api\Data;

/**
 * Test stand-in for Magento's shipment interface (the constants this module uses).
 */
interface ShipmentInterface
{
    public const ITEMS = 'items';
    public const TRACKS = 'tracks';
}
