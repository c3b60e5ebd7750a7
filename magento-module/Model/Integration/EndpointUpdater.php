<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Integration;

use Magento\Authorization\Model\Acl\AclRetriever;
use Magento\Authorization\Model\UserContextInterface;
use Magento\Integration\Api\IntegrationServiceInterface;
use Magento\Integration\Model\Integration;
use Psr\Log\LoggerInterface;

/**
 * Points the "Gladly" integration's endpoint and identity link URLs at the bridge, changing nothing else.
 */
class EndpointUpdater
{
    /**
     * Name of the integration declared in etc/integration.xml.
     */
    public const INTEGRATION_NAME = 'Gladly';

    /**
     * ACL id that stands for "all resources" in an integration's rules.
     */
    private const ALL_RESOURCES = 'Magento_Backend::all';

    private IntegrationServiceInterface $integrationService;

    private AclRetriever $aclRetriever;

    private EndpointUrls $endpointUrls;

    private LoggerInterface $logger;

    /**
     * Keep the integration service, the ACL reader, the URL deriver and the module logger.
     *
     * @param IntegrationServiceInterface $integrationService
     * @param AclRetriever $aclRetriever
     * @param EndpointUrls $endpointUrls
     * @param LoggerInterface $logger
     */
    public function __construct(
        IntegrationServiceInterface $integrationService,
        AclRetriever $aclRetriever,
        EndpointUrls $endpointUrls,
        LoggerInterface $logger
    ) {
        $this->integrationService = $integrationService;
        $this->aclRetriever = $aclRetriever;
        $this->endpointUrls = $endpointUrls;
        $this->logger = $logger;
    }

    /**
     * Update the integration's URLs when they differ from the ones derived from the bridge URL.
     *
     * Magento's Webapi plugin on IntegrationServiceInterface::update() rewrites the integration's ACL
     * rules from the 'resource' key of the data (an absent key means "no resources"), so the current
     * rules are read and passed back unchanged.
     *
     * @param string $bridgeUrl
     * @return bool True when the integration was updated, false when it is absent or already current.
     * @throws \InvalidArgumentException When the bridge URL is not an acceptable https base URL.
     */
    public function update(string $bridgeUrl): bool
    {
        $endpoint = $this->endpointUrls->getEndpointUrl($bridgeUrl);
        $identityLinkUrl = $this->endpointUrls->getIdentityLinkUrl($bridgeUrl);

        $integration = $this->integrationService->findByName(self::INTEGRATION_NAME);
        $integrationId = (int) $integration->getId();
        if ($integrationId <= 0) {
            $this->logger->info('Integration "Gladly" not found; run bin/magento setup:upgrade to create it.');
            return false;
        }
        if (
            (string) $integration->getData(Integration::ENDPOINT) === $endpoint
            && (string) $integration->getData(Integration::IDENTITY_LINK_URL) === $identityLinkUrl
        ) {
            return false;
        }

        $data = [
            Integration::ID => $integrationId,
            Integration::NAME => (string) $integration->getData(Integration::NAME),
            Integration::ENDPOINT => $endpoint,
            Integration::IDENTITY_LINK_URL => $identityLinkUrl,
        ];
        $resources = $this->aclRetriever->getAllowedResourcesByUser(
            UserContextInterface::USER_TYPE_INTEGRATION,
            $integrationId
        );
        if (in_array(self::ALL_RESOURCES, $resources, true)) {
            $data['all_resources'] = true;
        } else {
            $data['resource'] = array_values($resources);
        }
        $this->integrationService->update($data);

        $this->logger->info(
            'Integration "Gladly" now points at the bridge.',
            ['endpoint' => $endpoint, 'identity_link_url' => $identityLinkUrl]
        );
        return true;
    }
}
