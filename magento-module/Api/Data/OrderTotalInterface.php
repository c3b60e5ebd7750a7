<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api\Data;

/**
 * The money fields of one order, typed as Magento\Sales\Api\Data\OrderInterface types them, so that they render
 * as GET /V1/orders renders them (fields named after the getters, in snake_case).
 *
 * @api
 */
interface OrderTotalInterface
{
    /**
     * Return the order's state ("state").
     *
     * @return string|null
     */
    public function getState(): ?string;

    /**
     * Return when the order was placed, UTC ("created_at").
     *
     * @return string|null
     */
    public function getCreatedAt(): ?string;

    /**
     * Return the order's store view ("store_id").
     *
     * @return int|null
     */
    public function getStoreId(): ?int;

    /**
     * Return the grand total in the order's currency ("grand_total").
     *
     * @return float|null
     */
    public function getGrandTotal(): ?float;

    /**
     * Return the amount refunded in the order's currency ("total_refunded").
     *
     * @return float|null
     */
    public function getTotalRefunded(): ?float;

    /**
     * Return the grand total in the base currency ("base_grand_total").
     *
     * @return float|null
     */
    public function getBaseGrandTotal(): ?float;

    /**
     * Return the amount refunded in the base currency ("base_total_refunded").
     *
     * @return float|null
     */
    public function getBaseTotalRefunded(): ?float;

    /**
     * Return the order's currency ("order_currency_code").
     *
     * @return string|null
     */
    public function getOrderCurrencyCode(): ?string;

    /**
     * Return the base currency ("base_currency_code").
     *
     * @return string|null
     */
    public function getBaseCurrencyCode(): ?string;
}
