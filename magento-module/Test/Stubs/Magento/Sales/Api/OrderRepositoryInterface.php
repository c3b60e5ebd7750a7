<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Api;

/**
 * Test stand-in for Magento's order repository (the methods this module uses).
 */
interface OrderRepositoryInterface
{
    /**
     * Load an order; NoSuchEntityException when missing.
     *
     * @param int $id
     * @return \Magento\Sales\Api\Data\OrderInterface
     */
    public function get($id);

    /**
     * Save an order.
     *
     * @param \Magento\Sales\Api\Data\OrderInterface $entity
     * @return \Magento\Sales\Api\Data\OrderInterface
     */
    public function save(\Magento\Sales\Api\Data\OrderInterface $entity);

    /**
     * Search orders.
     *
     * @param \Magento\Framework\Api\SearchCriteriaInterface $searchCriteria
     * @return \Magento\Framework\Api\SearchResultsInterface
     */
    public function getList(\Magento\Framework\Api\SearchCriteriaInterface $searchCriteria);
}
