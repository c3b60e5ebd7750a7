<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Api;

/**
 * Test stand-in for Magento's order address repository (the method this module uses).
 */
interface OrderAddressRepositoryInterface
{
    /**
     * Save an order address.
     *
     * @param \Magento\Sales\Api\Data\OrderAddressInterface $entity
     * @return \Magento\Sales\Api\Data\OrderAddressInterface
     */
    public function save(\Magento\Sales\Api\Data\OrderAddressInterface $entity);
}
