<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api\Data;

/**
 * A goodwill coupon code issued through POST /V1/gladly/orders/:orderId/goodwill-coupon.
 *
 * @api
 */
interface GoodwillCouponInterface
{
    /**
     * Return the single-use code to give the customer ("code").
     *
     * @return string
     */
    public function getCode(): string;

    /**
     * Return the id of the cart price rule the code belongs to ("rule_id").
     *
     * @return int
     */
    public function getRuleId(): int;

    /**
     * Return the entity_id of the order the code is recorded on ("order_id").
     *
     * @return int
     */
    public function getOrderId(): int;

    /**
     * Return the id of the customer the code was issued to ("customer_id").
     *
     * @return int
     */
    public function getCustomerId(): int;

    /**
     * Return when the code was issued, UTC, "YYYY-MM-DD HH:MM:SS" ("issued_at").
     *
     * @return string
     */
    public function getIssuedAt(): string;
}
