<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api\Data;

/**
 * A cart price rule agents may issue goodwill coupons from ("coupon_rules" of GET /V1/gladly/config).
 *
 * @api
 */
interface CouponRuleInterface
{
    /**
     * Return the rule id, for POST /V1/coupons/generate ("id").
     *
     * @return int
     */
    public function getId(): int;

    /**
     * Return the rule name ("name").
     *
     * @return string
     */
    public function getName(): string;

    /**
     * Return what a coupon of this rule gives, e.g. "10% off matching items" ("amount").
     *
     * @return string
     */
    public function getAmount(): string;

    /**
     * Return the last day the rule applies, YYYY-MM-DD, or '' when it never expires ("expires_on").
     *
     * @return string
     */
    public function getExpiresOn(): string;
}
