<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Model\Order;

/**
 * Test stand-in for Magento's order status model (a row of sales_order_status).
 */
class Status
{
    private string $status;

    private string $label;

    /**
     * @var array<int, string>
     */
    private array $storeLabels;

    /**
     * Capture the row and its store view labels.
     *
     * @param string $status
     * @param string $label
     * @param array<int, string> $storeLabels
     */
    public function __construct(string $status = '', string $label = '', array $storeLabels = [])
    {
        $this->status = $status;
        $this->label = $label;
        $this->storeLabels = $storeLabels;
    }

    /**
     * Return the status code (Magento: magic getter of the "status" column).
     *
     * @return string
     */
    public function getStatus()
    {
        return $this->status;
    }

    /**
     * Return the admin label (Magento: magic getter of the "label" column).
     *
     * @return string
     */
    public function getLabel()
    {
        return $this->label;
    }

    /**
     * Return the labels per store view id (sales_order_status_label).
     *
     * @return array<int, string>
     */
    public function getStoreLabels()
    {
        return $this->storeLabels;
    }
}
