<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model;

use Gladly\Connector\Model\Data\OrderStatusLabel;
use Magento\Sales\Model\ResourceModel\Order\Status\CollectionFactory;

/**
 * Reads every order status (built-in and merchant-made) with its label and its store view labels.
 */
class OrderStatusLabels
{
    private CollectionFactory $collectionFactory;

    /**
     * Keep the factory of the order status collection (table sales_order_status).
     *
     * @param CollectionFactory $collectionFactory
     */
    public function __construct(CollectionFactory $collectionFactory)
    {
        $this->collectionFactory = $collectionFactory;
    }

    /**
     * Return each status's own label (store 0), then its store view labels (sales_order_status_label).
     *
     * @return OrderStatusLabel[]
     */
    public function get(): array
    {
        $labels = [];
        foreach ($this->collectionFactory->create()->getItems() as $status) {
            $code = (string) $status->getStatus();
            $labels[] = new OrderStatusLabel(0, $code, (string) $status->getLabel());
            foreach ($status->getStoreLabels() as $storeId => $label) {
                $labels[] = new OrderStatusLabel((int) $storeId, $code, (string) $label);
            }
        }
        return $labels;
    }
}
