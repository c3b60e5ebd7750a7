<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model;

use Gladly\Connector\Api\Data\OrderStatusLabelInterface;
use Gladly\Connector\Api\Data\OrderStatusLabelInterfaceFactory;
use Magento\Sales\Model\ResourceModel\Order\Status\CollectionFactory;

/**
 * Reads every order status (built-in and merchant-made) with its label and its store view labels.
 */
class OrderStatusLabels
{
    private CollectionFactory $collectionFactory;

    private OrderStatusLabelInterfaceFactory $labelFactory;

    /**
     * Keep the factories of the order status collection (table sales_order_status) and of the labels.
     *
     * @param CollectionFactory $collectionFactory
     * @param OrderStatusLabelInterfaceFactory $labelFactory
     */
    public function __construct(CollectionFactory $collectionFactory, OrderStatusLabelInterfaceFactory $labelFactory)
    {
        $this->collectionFactory = $collectionFactory;
        $this->labelFactory = $labelFactory;
    }

    /**
     * Return each status's own label (store 0), then its store view labels (sales_order_status_label).
     *
     * @return OrderStatusLabelInterface[]
     */
    public function get(): array
    {
        $labels = [];
        foreach ($this->collectionFactory->create()->getItems() as $status) {
            $code = (string) $status->getStatus();
            $labels[] = $this->label(0, $code, (string) $status->getLabel());
            foreach ($status->getStoreLabels() as $storeId => $label) {
                $labels[] = $this->label((int) $storeId, $code, (string) $label);
            }
        }
        return $labels;
    }

    /**
     * Build one published label.
     *
     * @param int $storeId
     * @param string $code
     * @param string $label
     * @return OrderStatusLabelInterface
     */
    private function label(int $storeId, string $code, string $label): OrderStatusLabelInterface
    {
        return $this->labelFactory->create(['storeId' => $storeId, 'code' => $code, 'label' => $label]);
    }
}
