<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api\Data;

/**
 * One shopper's records for a detailed lookup (GET /V1/gladly/profile; fields named after the getters, in
 * snake_case). Each list holds the stock route's own data interface, so Magento renders it as that route does.
 *
 * @api
 */
interface ProfileInterface
{
    /**
     * Return the customer, as GET /V1/customers/{id} does; null for a guest or an unknown id ("customer").
     *
     * @return \Magento\Customer\Api\Data\CustomerInterface|null
     */
    public function getCustomer(): ?\Magento\Customer\Api\Data\CustomerInterface;

    /**
     * Return the newest orders, newest first, as GET /V1/orders does ("orders").
     *
     * @return \Magento\Sales\Api\Data\OrderInterface[]
     */
    public function getOrders(): array;

    /**
     * Return how many orders the shopper has in all ("order_count").
     *
     * @return int
     */
    public function getOrderCount(): int;

    /**
     * Return the money fields of every order when there are more than the newest ones, else none ("totals").
     *
     * @return \Gladly\Connector\Api\Data\OrderTotalInterface[]
     */
    public function getTotals(): array;

    /**
     * Return the shipments of the newest orders, tracks embedded, as GET /V1/shipments does ("shipments").
     *
     * @return \Magento\Sales\Api\Data\ShipmentInterface[]
     */
    public function getShipments(): array;

    /**
     * Return the credit memos of the newest orders that have a refund ("credit_memos").
     *
     * @return \Magento\Sales\Api\Data\CreditmemoInterface[]
     */
    public function getCreditMemos(): array;

    /**
     * Return the catalog products of the newest orders' lines that still exist ("products").
     *
     * @return \Gladly\Connector\Api\Data\ProfileProductInterface[]
     */
    public function getProducts(): array;
}
