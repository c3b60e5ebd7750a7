<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Data;

use Gladly\Connector\Api\Data\ProfileInterface;
use Magento\Customer\Api\Data\CustomerInterface;

/**
 * One shopper's records, as GET /V1/gladly/profile returns them.
 */
class Profile implements ProfileInterface
{
    private ?CustomerInterface $customer;

    private array $orders;

    private int $orderCount;

    private array $totals;

    private array $shipments;

    private array $creditMemos;

    private array $products;

    /**
     * Capture the returned records.
     *
     * @param CustomerInterface|null $customer
     * @param \Magento\Sales\Api\Data\OrderInterface[] $orders
     * @param int $orderCount
     * @param \Gladly\Connector\Api\Data\OrderTotalInterface[] $totals
     * @param \Magento\Sales\Api\Data\ShipmentInterface[] $shipments
     * @param \Magento\Sales\Api\Data\CreditmemoInterface[] $creditMemos
     * @param \Gladly\Connector\Api\Data\ProfileProductInterface[] $products
     */
    public function __construct(
        ?CustomerInterface $customer = null,
        array $orders = [],
        int $orderCount = 0,
        array $totals = [],
        array $shipments = [],
        array $creditMemos = [],
        array $products = []
    ) {
        $this->customer = $customer;
        $this->orders = $orders;
        $this->orderCount = $orderCount;
        $this->totals = $totals;
        $this->shipments = $shipments;
        $this->creditMemos = $creditMemos;
        $this->products = $products;
    }

    /**
     * @inheritdoc
     */
    public function getCustomer(): ?CustomerInterface
    {
        return $this->customer;
    }

    /**
     * @inheritdoc
     */
    public function getOrders(): array
    {
        return $this->orders;
    }

    /**
     * @inheritdoc
     */
    public function getOrderCount(): int
    {
        return $this->orderCount;
    }

    /**
     * @inheritdoc
     */
    public function getTotals(): array
    {
        return $this->totals;
    }

    /**
     * @inheritdoc
     */
    public function getShipments(): array
    {
        return $this->shipments;
    }

    /**
     * @inheritdoc
     */
    public function getCreditMemos(): array
    {
        return $this->creditMemos;
    }

    /**
     * @inheritdoc
     */
    public function getProducts(): array
    {
        return $this->products;
    }
}
