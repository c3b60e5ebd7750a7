<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Config\Backend;

use Gladly\Connector\Model\Integration\EndpointUpdater;
use Gladly\Connector\Model\Integration\EndpointUrls;
use InvalidArgumentException;
use Magento\Framework\App\Cache\TypeListInterface;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\App\Config\Value;
use Magento\Framework\Data\Collection\AbstractDb;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Model\Context;
use Magento\Framework\Model\ResourceModel\AbstractResource;
use Magento\Framework\Registry;

/**
 * Validates the bridge URL on save and then points the "Gladly" integration at it.
 */
class BridgeUrl extends Value
{
    private EndpointUrls $endpointUrls;

    private EndpointUpdater $endpointUpdater;

    /**
     * Keep the URL deriver and the integration updater next to the usual config value dependencies.
     *
     * @param Context $context
     * @param Registry $registry
     * @param ScopeConfigInterface $config
     * @param TypeListInterface $cacheTypeList
     * @param EndpointUrls $endpointUrls
     * @param EndpointUpdater $endpointUpdater
     * @param AbstractResource|null $resource
     * @param AbstractDb|null $resourceCollection
     * @param array<string, mixed> $data
     */
    public function __construct(
        Context $context,
        Registry $registry,
        ScopeConfigInterface $config,
        TypeListInterface $cacheTypeList,
        EndpointUrls $endpointUrls,
        EndpointUpdater $endpointUpdater,
        ?AbstractResource $resource = null,
        ?AbstractDb $resourceCollection = null,
        array $data = []
    ) {
        $this->endpointUrls = $endpointUrls;
        $this->endpointUpdater = $endpointUpdater;
        parent::__construct($context, $registry, $config, $cacheTypeList, $resource, $resourceCollection, $data);
    }

    /**
     * Reject an unacceptable base URL with the reason and store it in canonical form ('' clears it).
     *
     * @return $this
     * @throws LocalizedException When the URL is not acceptable.
     */
    public function beforeSave(): self
    {
        $value = trim((string) $this->getValue());
        if ($value !== '') {
            try {
                $value = $this->endpointUrls->normalize($value);
            } catch (InvalidArgumentException $e) {
                throw new LocalizedException(__('Invalid Bridge URL: %1', $e->getMessage()), $e);
            }
        }
        $this->setValue($value);
        return parent::beforeSave();
    }

    /**
     * Update the integration's URLs when they no longer match the saved bridge URL.
     *
     * Runs on every save, not only on a changed value, so that saving again repairs an integration
     * whose URLs were changed elsewhere; the updater itself does nothing when they already match.
     *
     * @return $this
     */
    public function afterSave(): self
    {
        $value = (string) $this->getValue();
        if ($value !== '') {
            $this->endpointUpdater->update($value);
        }
        return parent::afterSave();
    }
}
