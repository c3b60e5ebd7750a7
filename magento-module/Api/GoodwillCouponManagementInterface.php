<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api;

/**
 * Issues one goodwill coupon code to the customer of an order
 * (POST /V1/gladly/orders/:orderId/goodwill-coupon, ACL Gladly_Connector::goodwill_coupon).
 *
 * @api
 */
interface GoodwillCouponManagementInterface
{
    /**
     * Issue one code from an allowed rule to the order's registered customer, within the store's cap; record it.
     *
     * @param int $orderId The order's entity_id: a registered customer's order that is not canceled.
     * @param int $ruleId One of the "Goodwill Coupon Rules", applying to the order's website and customer group.
     * @param string $note Who issued it and why, appended to the order comment, e.g. "from Gladly by agent 7."
     * @return \Gladly\Connector\Api\Data\GoodwillCouponInterface The code issued.
     * @throws \Magento\Framework\Exception\NoSuchEntityException No such order.
     * @throws \Magento\Framework\Exception\LocalizedException The order, rule or customer's cap refuses a code.
     */
    public function issue(
        int $orderId,
        int $ruleId,
        string $note = ''
    ): \Gladly\Connector\Api\Data\GoodwillCouponInterface;
}
