<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Integration\Api;

/**
 * Test stand-in for Magento's integration service (same public signature).
 */
interface IntegrationServiceInterface
{
    /**
     * Create an integration.
     *
     * @param array $integrationData
     * @return \Magento\Integration\Model\Integration
     */
    public function create(array $integrationData);

    /**
     * Load an integration by id.
     *
     * @param int $integrationId
     * @return \Magento\Integration\Model\Integration
     */
    public function get($integrationId);

    /**
     * Load an integration by name; an empty model when there is none.
     *
     * @param string $integrationName
     * @return \Magento\Integration\Model\Integration
     */
    public function findByName($integrationName);

    /**
     * Load an integration by consumer id.
     *
     * @param int $consumerId
     * @return \Magento\Integration\Model\Integration
     */
    public function findByConsumerId($consumerId);

    /**
     * Load an active integration by consumer id.
     *
     * @param int $consumerId
     * @return \Magento\Integration\Model\Integration
     */
    public function findActiveIntegrationByConsumerId($consumerId);

    /**
     * Update an integration.
     *
     * @param array $integrationData
     * @return \Magento\Integration\Model\Integration
     */
    public function update(array $integrationData);

    /**
     * Delete an integration.
     *
     * @param int $integrationId
     * @return array
     */
    public function delete($integrationId);

    /**
     * Return the resources selected for an integration.
     *
     * @param int $integrationId
     * @return array
     */
    public function getSelectedResources($integrationId);
}
