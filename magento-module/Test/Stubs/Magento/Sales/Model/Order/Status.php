<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Model\Order;

use Magento\Framework\DataObject;

/**
 * Test stand-in for Magento's order status model (a row of sales_order_status; columns via magic getters).
 */
class Status extends DataObject
{
    /**
     * Return the labels per store view id (sales_order_status_label).
     *
     * @return array
     */
    public function getStoreLabels()
    {
        return [];
    }
}
