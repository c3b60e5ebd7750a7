<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Sales\Model\Order;

use Magento\Framework\DataObject;
use Magento\Sales\Api\Data\OrderPaymentInterface;

/**
 * Test stand-in for Magento's order payment model (the methods this module uses; tests build it with data).
 */
class Payment extends DataObject implements OrderPaymentInterface
{
    /**
     * Return the additional information, or one key of it.
     *
     * @param string|null $key
     * @return mixed
     */
    public function getAdditionalInformation($key = null)
    {
        $info = (array) $this->getData('additional_information');
        return $key === null ? $info : ($info[$key] ?? null);
    }
}
