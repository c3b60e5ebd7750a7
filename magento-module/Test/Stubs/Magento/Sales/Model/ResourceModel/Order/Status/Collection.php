<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Model\ResourceModel\Order\Status;

use Magento\Sales\Model\Order\Status;

/**
 * Test stand-in for Magento's order status collection.
 */
class Collection
{
    /**
     * Return the loaded statuses.
     *
     * @return Status[]
     */
    public function getItems()
    {
        return [];
    }
}
