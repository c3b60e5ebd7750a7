<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model;

use Gladly\Connector\Api\ConfigProviderInterface;
use Gladly\Connector\Api\Data\BridgeConfigInterface;
use Gladly\Connector\Model\Data\BridgeConfig;

/**
 * Answers GET /V1/gladly/config with a snapshot of the module's settings.
 */
class ConfigProvider implements ConfigProviderInterface
{
    private Config $config;

    private AdminBaseUrl $adminBaseUrl;

    private OrderStatusLabels $orderStatusLabels;

    /**
     * Keep the settings reader, the admin base URL builder and the order status label reader.
     *
     * @param Config $config
     * @param AdminBaseUrl $adminBaseUrl
     * @param OrderStatusLabels $orderStatusLabels
     */
    public function __construct(Config $config, AdminBaseUrl $adminBaseUrl, OrderStatusLabels $orderStatusLabels)
    {
        $this->config = $config;
        $this->adminBaseUrl = $adminBaseUrl;
        $this->orderStatusLabels = $orderStatusLabels;
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
            $this->orderStatusLabels->get()
        );
    }
}
