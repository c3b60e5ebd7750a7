<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Api\Data;

/**
 * Settings the bridge reads over GET /V1/gladly/config (fields named after the getters, in snake_case).
 *
 * @api
 */
interface BridgeConfigInterface
{
    /**
     * Return the saved bridge base URL, or '' ("bridge_url").
     *
     * @return string
     */
    public function getBridgeUrl(): string;

    /**
     * Return the default store view's Catalog > SEO > Product URL Suffix, e.g. ".html" ("product_url_suffix").
     *
     * @return string
     */
    public function getProductUrlSuffix(): string;

    /**
     * Return the admin base URL including the admin frontName, ending in "/" ("admin_base_url").
     *
     * @return string
     */
    public function getAdminBaseUrl(): string;

    /**
     * Return the order actions agents may use ("allowed_actions").
     *
     * @return string[]
     */
    public function getAllowedActions(): array;

    /**
     * Return the cart price rules agents may issue goodwill coupons from today ("coupon_rules").
     *
     * @return \Gladly\Connector\Api\Data\CouponRuleInterface[]
     */
    public function getCouponRules(): array;

    /**
     * Return the module's endpoints the bridge may use beyond this one, e.g. "order_address" ("capabilities").
     *
     * @return string[]
     */
    public function getCapabilities(): array;

    /**
     * Return the one-time setup code, or '' ("setup_code").
     *
     * @return string
     */
    public function getSetupCode(): string;

    /**
     * Return every order status's labels: its own (store 0) and per store view ("order_statuses").
     *
     * @return \Gladly\Connector\Api\Data\OrderStatusLabelInterface[]
     */
    public function getOrderStatuses(): array;

    /**
     * Return what Gladly AI may do: lookup, cancel, refund, address, coupon ("ai_actions").
     *
     * @return string[]
     */
    public function getAiActions(): array;

    /**
     * Return the largest refund Gladly AI may make, in the order currency ("ai_refund_max").
     *
     * @return float
     */
    public function getAiRefundMax(): float;

    /**
     * Return the most Gladly AI may refund per UTC day ("ai_refund_daily_max").
     *
     * @return float
     */
    public function getAiRefundDailyMax(): float;

    /**
     * Return the age in days beyond which Gladly AI leaves an order alone, 0 for none ("ai_order_max_age_days").
     *
     * @return int
     */
    public function getAiOrderMaxAgeDays(): int;

    /**
     * Return the days within which Gladly AI issues one goodwill coupon per customer ("ai_coupon_period_days").
     *
     * @return int
     */
    public function getAiCouponPeriodDays(): int;

    /**
     * Return the cart price rule Gladly AI issues goodwill coupons from, 0 for none ("ai_coupon_rule").
     *
     * @return int
     */
    public function getAiCouponRule(): int;
}
