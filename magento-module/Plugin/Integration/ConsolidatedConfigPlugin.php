<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Plugin\Integration;

use Gladly\Connector\Model\Config;
use Gladly\Connector\Model\Integration\EndpointUpdater;
use Gladly\Connector\Model\Integration\EndpointUrls;
use InvalidArgumentException;
use Magento\Integration\Model\ConsolidatedConfig;

/**
 * Replaces the placeholder URLs of the file-declared "Gladly" integration with the saved bridge URL.
 *
 * Magento's recurring setup compares the file-declared URLs with the stored integration and deletes
 * and recreates it on any difference (ConfigBasedIntegrationManager::hasDataChanged), which would undo
 * the admin's bridge URL and revoke the bridge's tokens on every setup:upgrade.
 */
class ConsolidatedConfigPlugin
{
    /**
     * Keys of Magento\Integration\Model\Config\Consolidated\Converter.
     */
    private const KEY_ENDPOINT_URL = 'endpoint_url';
    private const KEY_IDENTITY_LINK_URL = 'identity_link_url';

    private Config $config;

    private EndpointUrls $endpointUrls;

    /**
     * Keep the settings reader and the URL deriver.
     *
     * @param Config $config
     * @param EndpointUrls $endpointUrls
     */
    public function __construct(Config $config, EndpointUrls $endpointUrls)
    {
        $this->config = $config;
        $this->endpointUrls = $endpointUrls;
    }

    /**
     * Substitute the bridge URLs into the "Gladly" entry when a valid bridge URL is saved.
     *
     * @param ConsolidatedConfig $subject
     * @param array<string, array<string, mixed>> $result
     * @return array<string, array<string, mixed>>
     * @SuppressWarnings(PHPMD.UnusedFormalParameter)
     */
    public function afterGetIntegrations(ConsolidatedConfig $subject, array $result): array
    {
        $name = EndpointUpdater::INTEGRATION_NAME;
        $bridgeUrl = $this->config->getBridgeUrl();
        if (!isset($result[$name]) || !is_array($result[$name]) || $bridgeUrl === '') {
            return $result;
        }
        try {
            $endpoint = $this->endpointUrls->getEndpointUrl($bridgeUrl);
            $identityLinkUrl = $this->endpointUrls->getIdentityLinkUrl($bridgeUrl);
        } catch (InvalidArgumentException $e) {
            return $result;
        }
        $result[$name][self::KEY_ENDPOINT_URL] = $endpoint;
        $result[$name][self::KEY_IDENTITY_LINK_URL] = $identityLinkUrl;
        return $result;
    }
}
