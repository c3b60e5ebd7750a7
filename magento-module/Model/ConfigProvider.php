<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model;

use Gladly\Connector\Api\ConfigProviderInterface;
use Gladly\Connector\Api\Data\BridgeConfigInterface;
use Gladly\Connector\Api\Data\BridgeConfigInterfaceFactory;
use Gladly\Connector\Model\Coupon\RuleList;
use Magento\Framework\Stdlib\DateTime\TimezoneInterface;

/**
 * Answers GET /V1/gladly/config with a snapshot of the module's settings.
 */
class ConfigProvider implements ConfigProviderInterface
{
    /**
     * Endpoints of this module the bridge may call: PUT /V1/gladly/orders/:orderId/shipping-address ("order_address")
     * and POST /V1/gladly/orders/:orderId/goodwill-coupon ("goodwill_coupon"), and GET /V1/gladly/profile in its
     * first reply shape ("profile_v1"; a changed shape gets a new name, so an older bridge keeps its stock reads).
     */
    public const CAPABILITIES = ['order_address', 'goodwill_coupon', 'profile_v1'];

    private Config $config;

    private AdminBaseUrl $adminBaseUrl;

    private RuleList $ruleList;

    private OrderStatusLabels $orderStatusLabels;

    private TimezoneInterface $timezone;

    private BridgeConfigInterfaceFactory $bridgeConfigFactory;

    /**
     * Keep the settings reader, the admin base URL builder, the coupon rule list, the status labels, the
     * store's timezone and the factory of the snapshot.
     *
     * @param Config $config
     * @param AdminBaseUrl $adminBaseUrl
     * @param RuleList $ruleList
     * @param OrderStatusLabels $orderStatusLabels
     * @param TimezoneInterface $timezone
     * @param BridgeConfigInterfaceFactory $bridgeConfigFactory
     */
    public function __construct(
        Config $config,
        AdminBaseUrl $adminBaseUrl,
        RuleList $ruleList,
        OrderStatusLabels $orderStatusLabels,
        TimezoneInterface $timezone,
        BridgeConfigInterfaceFactory $bridgeConfigFactory
    ) {
        $this->config = $config;
        $this->adminBaseUrl = $adminBaseUrl;
        $this->ruleList = $ruleList;
        $this->orderStatusLabels = $orderStatusLabels;
        $this->timezone = $timezone;
        $this->bridgeConfigFactory = $bridgeConfigFactory;
    }

    /**
     * @inheritdoc
     */
    public function get(): BridgeConfigInterface
    {
        return $this->bridgeConfigFactory->create([
            'bridgeUrl' => $this->config->getBridgeUrl(),
            'productUrlSuffix' => $this->config->getProductUrlSuffix(),
            'adminBaseUrl' => $this->adminBaseUrl->get(),
            'allowedActions' => $this->config->getAllowedActions(),
            'setupCode' => $this->config->getSetupCode(),
            // A rule's "To" date is a calendar date of the store, as Magento applies it: compared with the
            // store's today, not UTC's, or a rule would vanish for the hours the two dates differ.
            'couponRules' => $this->ruleList->getAllowed($this->timezone->date()->format('Y-m-d')),
            'capabilities' => self::CAPABILITIES,
            'orderStatuses' => $this->orderStatusLabels->get(),
            'aiActions' => $this->config->getAiActions(),
            'aiRefundMax' => $this->config->getAiRefundMax(),
            'aiRefundDailyMax' => $this->config->getAiRefundDailyMax(),
            'aiOrderMaxAgeDays' => $this->config->getAiOrderMaxAgeDays(),
            'aiCouponPeriodDays' => $this->config->getAiCouponPeriodDays(),
            'aiCouponRule' => $this->config->getAiCouponRule(),
        ]);
    }
}
