<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model;

use Gladly\Connector\Api\ConfigProviderInterface;
use Gladly\Connector\Api\Data\BridgeConfigInterface;
use Gladly\Connector\Model\Coupon\RuleList;
use Gladly\Connector\Model\Data\BridgeConfig;
use Magento\Framework\Stdlib\DateTime\TimezoneInterface;

/**
 * Answers GET /V1/gladly/config with a snapshot of the module's settings.
 */
class ConfigProvider implements ConfigProviderInterface
{
    /**
     * Endpoints of this module the bridge may call: PUT /V1/gladly/orders/:orderId/shipping-address.
     */
    public const CAPABILITIES = ['order_address'];

    private Config $config;

    private AdminBaseUrl $adminBaseUrl;

    private RuleList $ruleList;

    private OrderStatusLabels $orderStatusLabels;

    private TimezoneInterface $timezone;

    /**
     * Keep the settings reader, the admin base URL builder, the coupon rule list, the status labels and the
     * store's timezone.
     *
     * @param Config $config
     * @param AdminBaseUrl $adminBaseUrl
     * @param RuleList $ruleList
     * @param OrderStatusLabels $orderStatusLabels
     * @param TimezoneInterface $timezone
     */
    public function __construct(
        Config $config,
        AdminBaseUrl $adminBaseUrl,
        RuleList $ruleList,
        OrderStatusLabels $orderStatusLabels,
        TimezoneInterface $timezone
    ) {
        $this->config = $config;
        $this->adminBaseUrl = $adminBaseUrl;
        $this->ruleList = $ruleList;
        $this->orderStatusLabels = $orderStatusLabels;
        $this->timezone = $timezone;
    }

    /**
     * @inheritdoc
     */
    public function get(): BridgeConfigInterface
    {
        return new BridgeConfig(
            $this->config->isEnabled(),
            $this->config->getBridgeUrl(),
            $this->config->getProductUrlSuffix(),
            $this->adminBaseUrl->get(),
            $this->config->getAllowedActions(),
            $this->config->getSetupCode(),
            // A rule's "To" date is a calendar date of the store, as Magento applies it: compared with the
            // store's today, not UTC's, or a rule would vanish for the hours the two dates differ.
            $this->ruleList->getAllowed($this->timezone->date()->format('Y-m-d')),
            self::CAPABILITIES,
            $this->orderStatusLabels->get()
        );
    }
}
